// The answers midjourney-proxy gives, with the reference's exact codes and texts (section 2.1), and
// Spring Boot's default error JSON for HTTP-level errors (section 2.0).
import type { SubmitResult } from './types.js';

export const TEXT = {
  submitted: '提交成功',
  modalWait: 'Waiting for window confirm',
  queueFull: '队列已满，请稍后尝试',
  queueFullT: '提交失败，队列已满，请稍后重试',
  banned: '可能包含敏感词',
  noAccount: '无可用的账号实例',
  parentMissing: '关联任务不存在或已失效',
  parentStatus: '关联任务状态错误',
  parentNoChange: '关联任务不允许执行变化',
  systemError: '提交失败，系统异常',
  promptBlank: 'prompt不能为空',
  base64Format: 'base64格式错误',
  base64Blank: 'base64不能为空',
  base64List: 'base64List参数错误',
  content: 'content参数错误',
  taskIdBlank: 'taskId不能为空',
  action: 'action参数错误',
  dimensions: 'dimensions参数错误',
} as const;

export function submitResult(
  code: number,
  description: string,
  result: SubmitResult['result'] = null,
  properties: Record<string, unknown> = {},
): SubmitResult {
  return { code, description, result, properties };
}

/** Code 1, or 22 with numberOfQueues when tasks wait ahead of it. */
export function accepted(id: string, accountId: string, ahead: number): SubmitResult {
  if (ahead === 0) return submitResult(1, TEXT.submitted, id, { discordInstanceId: accountId });
  return submitResult(22, `排队中，前面还有${ahead}个任务`, id, {
    numberOfQueues: ahead,
    discordInstanceId: accountId,
  });
}

export function queueFull(accountId: string, code: 23 | 9): SubmitResult {
  return submitResult(code, code === 23 ? TEXT.queueFull : TEXT.queueFullT, null, {
    discordInstanceId: accountId,
  });
}

export function bannedPrompt(promptEn: string, bannedWord: string): SubmitResult {
  return submitResult(24, TEXT.banned, null, { promptEn, bannedWord });
}

export function notFound(description: string): SubmitResult {
  return submitResult(3, description);
}

export function invalid(description: string): SubmitResult {
  return submitResult(4, description);
}

export function systemError(accountId: string | null): SubmitResult {
  return submitResult(9, TEXT.systemError, null, accountId ? { discordInstanceId: accountId } : {});
}

export function modalWait(id: string, accountId: string, finalPrompt: string): SubmitResult {
  return submitResult(21, TEXT.modalWait, id, { finalPrompt, remix: true, discordInstanceId: accountId });
}

/** The refusal `sim:reject=<code>` asks for. */
export function rejection(code: number, accountId: string, promptEn: string): SubmitResult {
  switch (code) {
    case 3:
      return notFound(TEXT.noAccount);
    case 4:
      return invalid(TEXT.promptBlank);
    case 23:
      return queueFull(accountId, 23);
    case 24:
      return bannedPrompt(promptEn, 'sim:reject=24');
    default:
      return systemError(accountId);
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Spring Boot 2.6's default error body. */
export function springError(status: number, path: string, at: number) {
  return {
    timestamp: new Date(at).toISOString().replace('Z', '+00:00'),
    status,
    error: REASONS[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request'),
    path,
  };
}
