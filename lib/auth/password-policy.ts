/** The account password's length rules (isomorphic: the sign-up and password forms check them in the browser too). */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
