// Submits are planned before they are run: the plan knows the request's own answer (a refusal) or the work
// to do and the fault the prompt's directives ask for. A fault set by knob sits in front of the upstream,
// so the request is only planned when that fault lets it through (slow, truncated, empty).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Answer, type FaultPlayer, type FaultRule, sendAnswer } from './faults.js';

export type Plan = { answer: Answer } | { fault: FaultRule | null; run: () => Answer | Promise<Answer> };

export async function answerPlan(
  player: FaultPlayer,
  request: FastifyRequest,
  reply: FastifyReply,
  knobFault: FaultRule | null,
  plan: () => Plan,
): Promise<FastifyReply> {
  if (knobFault) {
    return player.answer(request, reply, knobFault, () => {
      const late = plan();
      return 'answer' in late ? late.answer : late.run();
    });
  }
  const planned = plan();
  if ('answer' in planned) return sendAnswer(reply, planned.answer);
  return player.answer(request, reply, planned.fault, planned.run);
}
