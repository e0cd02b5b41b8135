const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));
export const formatTime = (iso: string) => time.format(new Date(iso));
/** The first block of a UUIDv7 is its timestamp, the same for every id of a second: show the tail. */
export const shortId = (uuid: string) => uuid.slice(-12).toUpperCase();
