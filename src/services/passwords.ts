// bcrypt at new-api's cost, so password hashes imported from new-api verify unchanged.
import bcrypt from 'bcryptjs';

const COST = 10;
// Compared against when the username is unknown, so a login takes as long whether the user exists or not.
const DUMMY_HASH = bcrypt.hashSync('taskgate-no-such-user', COST);

export const hashPassword = (password: string): Promise<string> => bcrypt.hash(password, COST);

export const verifyPassword = (password: string, hash: string | undefined): Promise<boolean> =>
  bcrypt.compare(password, hash ?? DUMMY_HASH).then((ok) => ok && hash !== undefined);
