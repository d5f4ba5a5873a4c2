import { readdir, readFile, readlink } from 'node:fs/promises';

// Which process holds the server side of a TCP connection, read from /proc
// (Linux): how the WORKERS tests tell which worker, or the primary, has a
// connection.

/** The socket inode of the connection 127.0.0.1:clientPort → 127.0.0.1:serverPort, if the kernel still has it. */
async function connectionInode(serverPort: number, clientPort: number): Promise<string | undefined> {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  const table = await readFile('/proc/net/tcp', 'utf8');
  const row = table
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1]?.endsWith(`:${hex(serverPort)}`) && fields[2]?.endsWith(`:${hex(clientPort)}`));
  const inode = row?.[9];
  return inode && inode !== '0' ? inode : undefined;
}

/** The pid of the process holding the server side of 127.0.0.1:clientPort → 127.0.0.1:serverPort, among `pids`. */
export async function ownerOfConnection(serverPort: number, clientPort: number, pids: number[]): Promise<number | undefined> {
  const inode = await connectionInode(serverPort, clientPort);
  if (!inode) return undefined;
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    for (const fd of fds) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === `socket:[${inode}]`) return pid;
    }
  }
  return undefined;
}
