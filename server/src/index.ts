/** GovTrust signing server (express app factory). The seal and licence services land here. @module */

/** The server package's version, for `/livez` and logs. */
export const serverVersion = '0.1.0';
