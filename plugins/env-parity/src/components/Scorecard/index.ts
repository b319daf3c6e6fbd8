export {
  ScorecardContent,
  ScorecardPage,
  ScorecardPageContent,
} from './ScorecardPage';
export { rootRouteRef, useScorecardLink } from './routes';
