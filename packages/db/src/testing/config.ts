/** The test suite's configuration: the database server tests create their databases on. */
export const TEST_DATABASE_SERVER = process.env.MINIGATE_TEST_DATABASE_SERVER ?? 'mysql://root@127.0.0.1:3306';
