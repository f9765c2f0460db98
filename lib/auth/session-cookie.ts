/** Auth.js's session cookie names (plain http, and https with the __Secure- prefix). */
export const SESSION_COOKIE_NAMES = ["authjs.session-token", "__Secure-authjs.session-token"] as const;
