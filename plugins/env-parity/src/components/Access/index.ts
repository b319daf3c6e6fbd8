export { AccessRequestCard } from './AccessRequestCard';
export {
  AccessRequestDetails,
  AccessRequestDetailsDialog,
} from './AccessRequestDetails';
export { AccessPage, LegacyAccessPage } from './AccessPage';
export { AccessTimeline } from './AccessTimeline';
export { RequestAccessDialog } from './RequestAccessDialog';
export { accessRequestRouteRef, accessRouteRef } from './routes';
