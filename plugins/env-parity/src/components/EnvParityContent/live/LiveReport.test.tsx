import { TestApiProvider } from '@backstage/test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { act, render, screen, waitFor } from '@testing-library/react';
import { envParityApiRef } from '../../../api';
import { FakeEnvParityApi } from '../../../__testUtils__/render';
import { driftReport, ENTITY_REF } from '../../../__testUtils__/reports';
import { TestSignals } from '../../../__testUtils__/signals';
import { LiveReport } from './LiveReport';
import { reportSignalChannel } from './useLiveReport';

describe('LiveReport', () => {
  it('reads the report again when its signal arrives, and says so', async () => {
    const report = driftReport();
    const api = new FakeEnvParityApi(async () => report);
    const signals = new TestSignals();
    const received: ParityReport[] = [];
    render(
      <TestApiProvider
        apis={[
          [envParityApiRef, api],
          [signalApiRef, signals],
        ]}
      >
        <LiveReport entityRef={ENTITY_REF} onReport={r => received.push(r)} />
      </TestApiProvider>,
    );
    expect(screen.getByRole('status')).toHaveTextContent('');
    await waitFor(() =>
      expect(signals.listeners.has(reportSignalChannel(ENTITY_REF))).toBe(true),
    );
    expect(api.getReportCalls).toEqual([]);
    act(() => {
      signals.listeners.get(reportSignalChannel(ENTITY_REF))!({
        entityRef: ENTITY_REF,
        changedAt: new Date().toISOString(),
      });
    });
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent('Updated just now'),
    );
    expect(api.getReportCalls).toEqual([ENTITY_REF]);
    expect(received).toEqual([report]);
  });

  it('reads the report again when the page becomes visible, signals or not', async () => {
    const api = new FakeEnvParityApi(async () => driftReport());
    const signals = new TestSignals();
    render(
      <TestApiProvider
        apis={[
          [envParityApiRef, api],
          [signalApiRef, signals],
        ]}
      >
        <LiveReport entityRef={ENTITY_REF} onReport={() => {}} />
      </TestApiProvider>,
    );
    await waitFor(() =>
      expect(signals.listeners.has(reportSignalChannel(ENTITY_REF))).toBe(true),
    );
    expect(api.getReportCalls).toEqual([]);
    // a signal missed while hidden (asleep, reconnecting) is made up for
    await act(async () => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor(() => expect(api.getReportCalls).toEqual([ENTITY_REF]));
    expect(screen.getByRole('status')).toHaveTextContent('Updated just now');
  });

  it('with signals, reads again when back online and every 5 minutes, for a signal missed while reconnecting', async () => {
    jest.useFakeTimers();
    try {
      const api = new FakeEnvParityApi(async () => driftReport());
      const signals = new TestSignals();
      render(
        <TestApiProvider
          apis={[
            [envParityApiRef, api],
            [signalApiRef, signals],
          ]}
        >
          <LiveReport entityRef={ENTITY_REF} onReport={() => {}} />
        </TestApiProvider>,
      );
      // not every 30 s: signals carry the changes
      await act(async () => {
        jest.advanceTimersByTime(4 * 60_000);
      });
      expect(api.getReportCalls).toEqual([]);
      await act(async () => {
        jest.advanceTimersByTime(60_000);
      });
      expect(api.getReportCalls).toEqual([ENTITY_REF]);
      await act(async () => {
        window.dispatchEvent(new Event('online'));
      });
      expect(api.getReportCalls).toEqual([ENTITY_REF, ENTITY_REF]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('polls while the page is visible when signals are not installed', async () => {
    jest.useFakeTimers();
    try {
      const api = new FakeEnvParityApi(async () => driftReport());
      render(
        <TestApiProvider apis={[[envParityApiRef, api]]}>
          <LiveReport entityRef={ENTITY_REF} onReport={() => {}} />
        </TestApiProvider>,
      );
      expect(api.getReportCalls).toEqual([]);
      await act(async () => {
        jest.advanceTimersByTime(30_000);
      });
      expect(api.getReportCalls).toEqual([ENTITY_REF]);
      // hidden: no polls
      Object.defineProperty(document, 'visibilityState', {
        value: 'hidden',
        configurable: true,
      });
      await act(async () => {
        jest.advanceTimersByTime(90_000);
      });
      expect(api.getReportCalls).toEqual([ENTITY_REF]);
      // visible again: read at once
      Object.defineProperty(document, 'visibilityState', {
        value: 'visible',
        configurable: true,
      });
      await act(async () => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
      expect(api.getReportCalls).toEqual([ENTITY_REF, ENTITY_REF]);
    } finally {
      jest.useRealTimers();
    }
  });
});
