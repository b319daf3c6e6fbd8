export { AlignSection } from './AlignSection';
export { AlignmentsPage, LegacyAlignmentsPage } from './AlignmentsPage';
export { alignmentRouteRef, alignmentsRouteRef } from './routes';
