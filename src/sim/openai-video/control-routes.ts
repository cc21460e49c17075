// The test-facing control API under /__sim/video: counters, knobs, the clock, and forcing a video's state.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { KnobError, knobNumber, knobObject } from '../common/knob-checks.js';
import { readJson } from '../common/raw-body.js';
import type { VideoState } from './state.js';
import { videoJson } from './video-json.js';

function bodyOf(body: unknown): unknown {
  const read = readJson(body);
  if (read.ok) return read.value;
  if (read.empty) return {};
  throw new KnobError(`body is not JSON: ${read.message}`);
}

/** Runs a change; a KnobError becomes a 400 naming what was wrong. */
function change(reply: FastifyReply, apply: () => unknown): unknown {
  try {
    return apply();
  } catch (error) {
    if (error instanceof KnobError || error instanceof RangeError) {
      return reply.code(400).send({ error: error.message });
    }
    throw error;
  }
}

export function controlRoutes(app: FastifyInstance, state: VideoState): void {
  const knobsView = () => ({ ...state.knobs, timeScale: state.clock.timeScale });
  const clockView = () => ({ now: state.clock.now(), timeScale: state.clock.timeScale });

  app.get('/__sim/video/calls', async () => {
    const { routeCalls, polls, requests, inFlight, maxInFlight } = state.calls;
    return { routeCalls, polls, requests, inFlight, maxInFlight };
  });

  app.post('/__sim/video/reset', async () => {
    state.reset();
    return { ok: true };
  });

  app.post('/__sim/video/restart', async () => {
    state.restart();
    return { ok: true };
  });

  app.get('/__sim/video/knobs', async () => knobsView());

  app.post('/__sim/video/knobs', async (request, reply) =>
    change(reply, () => {
      state.setKnobs(bodyOf(request.body));
      return knobsView();
    }),
  );

  app.get('/__sim/video/clock', async () => clockView());

  /** `{advanceMs}` jumps simulated time forward; `{timeScale}` changes its speed. */
  app.post('/__sim/video/clock', async (request, reply) =>
    change(reply, () => {
      const order = knobObject(bodyOf(request.body), 'body');
      if (order.timeScale !== undefined)
        state.clock.setTimeScale(knobNumber(order.timeScale, 'timeScale', 1e-6));
      if (order.advanceMs !== undefined) state.clock.advance(knobNumber(order.advanceMs, 'advanceMs', 0));
      return clockView();
    }),
  );

  app.get<{ Params: { id: string } }>('/__sim/video/tasks/:id', async (request, reply) => {
    const video = state.videos.get(request.params.id);
    if (!video) return reply.code(404).send({ error: 'no such video' });
    const { polls, vanishAfterPolls, inputReference } = video;
    return {
      polls,
      vanishAfterPolls,
      inputReference,
      video: videoJson(video, state.snapshot(video), state.knobs),
    };
  });

  app.post<{ Params: { id: string } }>('/__sim/video/tasks/:id', async (request, reply) => {
    const video = state.videos.get(request.params.id);
    if (!video) return reply.code(404).send({ error: 'no such video' });
    return change(reply, () => {
      state.force(video, bodyOf(request.body));
      return videoJson(video, state.snapshot(video), state.knobs);
    });
  });
}
