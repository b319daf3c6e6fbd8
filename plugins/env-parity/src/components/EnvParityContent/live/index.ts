export { LiveReport } from './LiveReport';
export { reportSignalChannel, useLiveReport } from './useLiveReport';
