import { useId, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import useMeasure from 'react-use/esm/useMeasure';
import {
  ScorecardTrend,
  TrendPoint,
} from '@env-parity/plugin-env-parity-common';
import { driftAge, percent, score, shortDay } from './format';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The three series of the trend. */
export const TREND_SERIES = {
  share: {
    label: 'In parity',
    axis: '% in parity',
    value: (p: TrendPoint) =>
      p.inParityShare === undefined ? undefined : p.inParityShare * 100,
    format: (v: number) => `${Math.round(v)}%`,
    fixedMax: 100,
  },
  score: {
    label: 'Median score',
    axis: 'Median score',
    value: (p: TrendPoint) => p.medianScore,
    format: (v: number) => score(v),
    fixedMax: 100,
  },
  driftAge: {
    label: 'Median drift age',
    axis: 'Days',
    value: (p: TrendPoint) => p.medianDriftAgeDays,
    format: (v: number) => driftAge(v),
    fixedMax: undefined,
  },
} as const;

export type TrendSeries = keyof typeof TREND_SERIES;

/** The x ticks at 0, 1/3, 2/3 and 1 of the window. */
const X_TICK_ANCHORS = ['start', 'middle', 'middle', 'end'] as const;

/** The width before the container is measured (and in tests). */
const DEFAULT_WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 16, bottom: 36, left: 52 };
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

const useStyles = makeStyles(theme => ({
  chart: {
    width: '100%',
    overflow: 'hidden',
  },
  svg: {
    display: 'block',
    fontFamily: theme.typography.fontFamily,
  },
  visuallyHidden: {
    position: 'absolute',
    width: 1,
    height: 1,
    padding: 0,
    margin: -1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
    border: 0,
  },
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  },
}));

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

/** 1, 2 or 5 times a power of ten, at least `value`. */
function niceMax(value: number): number {
  if (value <= 1) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) {
      return step * power;
    }
  }
  return 10 * power;
}

function yTicks(max: number): number[] {
  // whole-number ticks: 0-100 by 25, 0-50 by 10, 0-10 by 2, 0-5 by 1
  let steps = 5;
  if (max >= 20 && Number.isInteger(max / 4)) {
    steps = 4;
  } else if (max <= 5) {
    steps = max;
  }
  return Array.from({ length: steps + 1 }, (_, i) => (max / steps) * i);
}

/**
 * The daily trend as a small SVG line chart with a choice of series, axis
 * labels, and a table of the same figures for screen readers and exact
 * values.
 */
export function TrendChart(props: {
  trend: ScorecardTrend;
  /** What the trend covers, e.g. `the whole catalog` or `team-a`. */
  scope: string;
}) {
  const classes = useStyles();
  const theme = useTheme();
  const id = useId();
  const [series, setSeries] = useState<TrendSeries>('share');
  const [showTable, setShowTable] = useState(false);
  // drawn in real pixels at the container's width, so text keeps its size
  const [measureRef, { width: measured }] = useMeasure<HTMLDivElement>();
  const WIDTH = measured > 0 ? Math.round(measured) : DEFAULT_WIDTH;
  const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
  const { trend } = props;
  const def = TREND_SERIES[series];

  const start = dayNumber(trend.from);
  const end = Math.max(dayNumber(trend.to), start + 1);
  const points = trend.items
    .map(p => ({ day: p.day, x: dayNumber(p.day), v: def.value(p) }))
    .filter((p): p is { day: string; x: number; v: number } =>
      Number.isFinite(p.v),
    );
  const max =
    def.fixedMax ?? niceMax(Math.max(1, ...points.map(p => p.v)) * 1.1);
  const ticks = yTicks(max);
  const sx = (x: number) =>
    MARGIN.left + ((x - start) / (end - start)) * PLOT_W;
  const sy = (v: number) => MARGIN.top + PLOT_H - (v / max) * PLOT_H;

  // one path per run of consecutive days: a day without a point is a gap
  const segments: string[] = [];
  let current = '';
  points.forEach((p, i) => {
    const joined = i > 0 && p.x - points[i - 1].x === 1;
    current += `${joined ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.v).toFixed(
      1,
    )}`;
    if (i === points.length - 1 || points[i + 1].x - p.x !== 1) {
      segments.push(current);
      current = '';
    }
  });

  const xTickDays = [0, 1 / 3, 2 / 3, 1].map(f =>
    Math.round(start + f * (end - start)),
  );
  const dayOf = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

  const first = points[0];
  const last = points[points.length - 1];
  const description = first
    ? `${def.label} for ${props.scope}, ${shortDay(trend.from)} to ${shortDay(
        trend.to,
      )}: ${def.format(first.v)} on ${shortDay(first.day)}${
        last !== first ? `, ${def.format(last.v)} on ${shortDay(last.day)}` : ''
      }.`
    : `${def.label} for ${props.scope}: no data.`;

  return (
    <div>
      <div className={classes.toolbar}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={series}
          onChange={(_, next) => next && setSeries(next)}
          aria-label="Series"
        >
          {(Object.keys(TREND_SERIES) as TrendSeries[]).map(key => (
            <ToggleButton key={key} value={key}>
              {TREND_SERIES[key].label}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <Button
          size="small"
          color="primary"
          aria-expanded={showTable}
          onClick={() => setShowTable(s => !s)}
        >
          {showTable ? 'Hide the table' : 'Show as a table'}
        </Button>
      </div>
      <div ref={measureRef} className={classes.chart}>
        <svg
          className={classes.svg}
          width={WIDTH}
          height={HEIGHT}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-labelledby={`${id}-title`}
          aria-describedby={`${id}-desc`}
        >
          <title id={`${id}-title`}>{`${def.label} per day`}</title>
          <desc id={`${id}-desc`}>{description}</desc>
          {ticks.map(t => (
            <g key={t}>
              <line
                x1={MARGIN.left}
                x2={WIDTH - MARGIN.right}
                y1={sy(t)}
                y2={sy(t)}
                stroke={theme.palette.divider}
                strokeDasharray={t === 0 ? undefined : '3 3'}
              />
              <text
                x={MARGIN.left - 6}
                y={sy(t)}
                textAnchor="end"
                dominantBaseline="middle"
                fontSize={11}
                fill={theme.palette.text.secondary}
              >
                {Number.isInteger(t) ? t : t.toFixed(1)}
              </text>
            </g>
          ))}
          {xTickDays.map((d, i) => (
            <text
              key={`${d}-${i}`}
              x={sx(d)}
              y={HEIGHT - MARGIN.bottom + 16}
              textAnchor={X_TICK_ANCHORS[i]}
              fontSize={11}
              fill={theme.palette.text.secondary}
            >
              {shortDay(dayOf(d))}
            </text>
          ))}
          <text
            x={MARGIN.left + PLOT_W / 2}
            y={HEIGHT - 4}
            textAnchor="middle"
            fontSize={11}
            fill={theme.palette.text.secondary}
          >
            Day (UTC)
          </text>
          <text
            transform={`translate(12 ${MARGIN.top + PLOT_H / 2}) rotate(-90)`}
            textAnchor="middle"
            fontSize={11}
            fill={theme.palette.text.secondary}
          >
            {def.axis}
          </text>
          {segments.map(d => (
            <path
              key={d}
              d={d}
              fill="none"
              stroke={theme.palette.primary.main}
              strokeWidth={2}
              strokeLinejoin="round"
            />
          ))}
          {points.length <= 45 &&
            points.map(p => (
              <circle
                key={p.day}
                cx={sx(p.x)}
                cy={sy(p.v)}
                r={3.5}
                fill={theme.palette.primary.main}
              >
                <title>{`${shortDay(p.day)}: ${def.format(p.v)}`}</title>
              </circle>
            ))}
        </svg>
      </div>
      {points.length === 1 && (
        <Typography variant="caption" color="textSecondary">
          One day of history so far: a line appears from the second day.
        </Typography>
      )}
      {/* the same figures as a table: shown on demand, always there for screen readers */}
      {trend.items.length > 0 && (
        <Box mt={1} className={showTable ? undefined : classes.visuallyHidden}>
          <TableContainer
            tabIndex={0}
            role="region"
            aria-label="Trend per day, scrollable"
          >
            <Table size="small" aria-label="Trend per day">
              <TableHead>
                <TableRow>
                  <TableCell>Day</TableCell>
                  <TableCell align="right">Tracked</TableCell>
                  <TableCell align="right">In parity</TableCell>
                  <TableCell align="right">Median score</TableCell>
                  <TableCell align="right">Median drift age</TableCell>
                  <TableCell align="right">Behind</TableCell>
                  <TableCell align="right">Tag mismatch</TableCell>
                  <TableCell align="right">Unknown</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {[...trend.items].reverse().map(p => (
                  <TableRow key={p.day}>
                    <TableCell component="th" scope="row" role="rowheader">
                      {p.day}
                    </TableCell>
                    <TableCell align="right">{p.tracked}</TableCell>
                    <TableCell align="right">
                      {percent(p.inParityShare)} ({p.inParity})
                    </TableCell>
                    <TableCell align="right">{score(p.medianScore)}</TableCell>
                    <TableCell align="right">
                      {p.medianDriftAgeDays === undefined
                        ? '—'
                        : driftAge(p.medianDriftAgeDays)}
                    </TableCell>
                    <TableCell align="right">{p.behind}</TableCell>
                    <TableCell align="right">{p.tagMismatch}</TableCell>
                    <TableCell align="right">{p.unknown ?? 0}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        </Box>
      )}
    </div>
  );
}
