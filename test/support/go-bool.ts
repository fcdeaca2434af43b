/** Every string Go's strconv.ParseBool reads as true, as the server's convertBool reads a string setting. */
export const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];

/** Strings it reads as false or refuses (leading space, other words): the server never reads them as true. */
export const GO_NOT_TRUE = ['0', 'false', 'FALSE', ' true', 'yes', 'on', 'tRUE', ''];
