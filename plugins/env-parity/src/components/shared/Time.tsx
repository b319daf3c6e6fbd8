import Tooltip from '@material-ui/core/Tooltip';
import { exactTime, relativeTime } from '../EnvParityContent/format';

/** A time relative to now (`3 min ago`), exact in its tooltip; `—` if absent. */
export function Time(props: { at?: string; prefix?: string }) {
  if (!props.at) {
    return <>—</>;
  }
  return (
    <Tooltip title={exactTime(props.at)}>
      <time dateTime={props.at}>
        {props.prefix ? `${props.prefix} ` : ''}
        {relativeTime(props.at)}
      </time>
    </Tooltip>
  );
}
