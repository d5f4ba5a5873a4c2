// `pnpm admin operator:create`: an operator of the console (not a player), with a role and an argon2id password.
import { createOperatorAccount } from '@minigate/api';
import { OperatorNameTakenError, type Database, type Kysely } from '@minigate/db';

export const OPERATOR_USAGE = `  operator:create --name <name> --role viewer|support|finance|admin [--password <password>]
                                              an operator of the console; the password is read from standard
                                              input unless given (at least 10 characters)`;

/** Standard input, whole, without its last line break (a password piped in or typed and ended with Ctrl-D). */
async function readStandardInput(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (then Enter and Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function createOperatorTask(
  db: Kysely<Database>,
  values: Partial<Record<'name' | 'role' | 'password', string>>,
  usage: (message: string) => Error,
): Promise<string[]> {
  if (!values.name) throw usage('operator:create needs --name <name>');
  if (!values.role) throw usage('operator:create needs --role viewer|support|finance|admin');
  const password = values.password ?? (await readStandardInput());
  try {
    const id = await createOperatorAccount(db, { name: values.name, role: values.role, password });
    return [`created operator ${values.name} (${values.role}), id ${id}`];
  } catch (error) {
    if (error instanceof RangeError || error instanceof OperatorNameTakenError) throw usage(`operator:create: ${error.message}`);
    throw error;
  }
}
