import { useEffect, useRef, useState } from 'react';
import Tooltip from '@material-ui/core/Tooltip';
import { exactTime } from '../EnvParityContent/format';
import { formatRemaining } from './format';

/**
 * The live time left until `to`, e.g. `expires in 2h 13m`, updated every
 * second; `elapsed` once it has passed, after calling `onElapsed` once.
 */
export function Countdown(props: {
  to: string;
  /** e.g. `expires in` */
  prefix: string;
  /** What to show once the time has passed, e.g. `expired`. */
  elapsed: string;
  onElapsed?: () => void;
}) {
  const { to, prefix, elapsed, onElapsed } = props;
  const [now, setNow] = useState(() => Date.now());
  const reported = useRef(false);
  const target = Date.parse(to);
  const left = target - now;
  const done = !(left > 0);

  useEffect(() => {
    if (done) {
      return undefined;
    }
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [done]);

  useEffect(() => {
    reported.current = false;
    setNow(Date.now());
  }, [to]);

  const elapsedRef = useRef(onElapsed);
  elapsedRef.current = onElapsed;
  useEffect(() => {
    if (done && !reported.current && !Number.isNaN(target)) {
      reported.current = true;
      elapsedRef.current?.();
    }
  }, [done, target]);

  return (
    <Tooltip title={exactTime(to)}>
      <span role="timer">
        {done ? elapsed : `${prefix} ${formatRemaining(left)}`}
      </span>
    </Tooltip>
  );
}
