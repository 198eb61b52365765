/** Where the control API lives: shared by the server and the CLI's client. */
export const API_PREFIX = '/gate-0/'

/** The `url` of a control API on a unix socket: `unix:<path>`. */
export const UNIX_URL_PREFIX = 'unix:'
