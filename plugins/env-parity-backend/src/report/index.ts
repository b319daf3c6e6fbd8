export { ParityReportBuilder } from './ParityReportBuilder';
export type {
  BuiltReport,
  EnvironmentRevisions,
  ParityReportBuilderOptions,
  RevisionAnswer,
} from './ParityReportBuilder';
