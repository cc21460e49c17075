// Every user-facing error text, in the three languages the dashboard speaks. Keys are stable error codes.
export type Language = 'en' | 'zh' | 'ja';

type Catalogue = Record<string, Record<Language, string>>;

export const MESSAGES = {
  not_logged_in: {
    en: 'Not logged in and no access token provided',
    zh: '无权进行此操作，未登录且未提供 access token',
    ja: 'ログインしておらず、アクセストークンも指定されていません',
  },
  invalid_access_token: {
    en: 'Invalid access token',
    zh: '无权进行此操作，access token 无效',
    ja: 'アクセストークンが無効です',
  },
  missing_new_api_user: {
    en: 'The New-Api-User header is required',
    zh: '无权进行此操作，未提供 New-Api-User',
    ja: 'New-Api-User ヘッダーが必要です',
  },
  invalid_new_api_user: {
    en: 'The New-Api-User header must be a user id',
    zh: '无权进行此操作，New-Api-User 格式错误',
    ja: 'New-Api-User ヘッダーはユーザー ID でなければなりません',
  },
  mismatched_new_api_user: {
    en: 'The New-Api-User header does not match the logged-in user',
    zh: '无权进行此操作，New-Api-User 与登录用户不匹配',
    ja: 'New-Api-User ヘッダーがログイン中のユーザーと一致しません',
  },
  user_disabled: { en: 'This user is disabled', zh: '用户已被封禁', ja: 'このユーザーは無効化されています' },
  insufficient_role: {
    en: 'Insufficient permissions',
    zh: '无权进行此操作，权限不足',
    ja: '権限が不足しています',
  },
  login_failed: {
    en: 'Wrong username or password',
    zh: '用户名或密码错误',
    ja: 'ユーザー名またはパスワードが正しくありません',
  },
  rate_limited: {
    en: 'Too many requests, retry in {after}',
    zh: '请求过于频繁，请在 {after} 后重试',
    ja: 'リクエストが多すぎます。{after} 後に再試行してください',
  },
  invalid_request: {
    en: 'Invalid request: {detail}',
    zh: '请求无效：{detail}',
    ja: '無効なリクエスト：{detail}',
  },
  invalid_json: {
    en: 'The request body is not valid JSON',
    zh: '请求体不是合法的 JSON',
    ja: 'リクエスト本文が正しい JSON ではありません',
  },
  body_too_large: {
    en: 'The request body is too large',
    zh: '请求体过大',
    ja: 'リクエスト本文が大きすぎます',
  },
  form_too_large: {
    en: 'The multipart form is over a limit: {detail}',
    zh: 'multipart 表单超出限制：{detail}',
    ja: 'multipart フォームが上限を超えています：{detail}',
  },
  unsupported_media_type: {
    en: 'Unsupported content type',
    zh: '不支持的内容类型',
    ja: 'サポートされていないコンテンツタイプです',
  },
  not_found: { en: 'Not found', zh: '未找到', ja: '見つかりません' },
  route_not_found: {
    en: 'No such route: {route}',
    zh: '路由不存在：{route}',
    ja: 'ルートがありません：{route}',
  },
  user_not_found: { en: 'User not found', zh: '用户不存在', ja: 'ユーザーが見つかりません' },
  token_not_found: { en: 'API key not found', zh: '令牌不存在', ja: 'API キーが見つかりません' },
  channel_not_found: { en: 'Channel not found', zh: '渠道不存在', ja: 'チャネルが見つかりません' },
  task_not_found: { en: 'Task not found', zh: '任务不存在', ja: 'タスクが見つかりません' },
  username_taken: {
    en: 'This username is already taken',
    zh: '用户名已被占用',
    ja: 'このユーザー名は既に使われています',
  },
  cannot_manage_user: {
    en: 'You cannot manage a user whose role is equal to or higher than yours',
    zh: '无权操作同级或更高权限的用户',
    ja: '自分と同等以上の権限を持つユーザーは管理できません',
  },
  unknown_option: { en: 'Unknown option: {key}', zh: '未知的选项：{key}', ja: '不明なオプション：{key}' },
  invalid_option: {
    en: 'Invalid value for option {key}: {detail}',
    zh: '选项 {key} 的值无效：{detail}',
    ja: 'オプション {key} の値が無効です：{detail}',
  },
  insufficient_quota: {
    en: 'Insufficient quota: {need} needed, {have} available',
    zh: '额度不足：需要 {need}，剩余 {have}',
    ja: 'クォータが不足しています：必要 {need}、残り {have}',
  },
  token_quota_exhausted: {
    en: 'This API key has not enough quota left',
    zh: '该令牌额度已用尽',
    ja: 'この API キーの残りクォータが不足しています',
  },
  missing_api_key: { en: 'No API key provided', zh: '未提供令牌', ja: 'API キーが指定されていません' },
  invalid_api_key: { en: 'Invalid API key', zh: '无效的令牌', ja: 'API キーが無効です' },
  api_key_expired: { en: 'This API key has expired', zh: '该令牌已过期', ja: 'この API キーは期限切れです' },
  api_key_disabled: { en: 'This API key is disabled', zh: '该令牌状态不可用', ja: 'この API キーは無効です' },
  ip_not_allowed: {
    en: 'This API key may not be used from your address',
    zh: '您的 IP 不在令牌允许的列表中',
    ja: 'この API キーはあなたのアドレスからは使えません',
  },
  token_group_not_allowed: {
    en: 'This user may not use group {group}',
    zh: '令牌分组 {group} 已被禁用',
    ja: 'このユーザーはグループ {group} を使えません',
  },
  model_not_allowed: {
    en: 'This API key may not use model {model}',
    zh: '该令牌无权访问模型 {model}',
    ja: 'この API キーはモデル {model} を使えません',
  },
  content_refused: {
    en: "The upstream refused this video's content (HTTP {status}): {detail}",
    zh: '上游拒绝提供该视频的内容（HTTP {status}）：{detail}',
    ja: '上流がこの動画のコンテンツを拒否しました（HTTP {status}）：{detail}',
  },
  model_not_found: {
    en: 'No channel serves model {model} for group {group}',
    zh: '当前分组 {group} 下对于模型 {model} 无可用渠道',
    ja: 'グループ {group} でモデル {model} を扱うチャネルがありません',
  },
  internal_error: {
    en: 'Internal error, request id {requestId}',
    zh: '内部错误，请求 ID {requestId}',
    ja: '内部エラー、リクエスト ID {requestId}',
  },
  service_unavailable: {
    en: 'Service unavailable: {detail}',
    zh: '服务不可用：{detail}',
    ja: 'サービスを利用できません：{detail}',
  },
} satisfies Catalogue;

export type MessageCode = keyof typeof MESSAGES;

export function pickLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'en';
  for (const part of acceptLanguage.split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === 'zh' || tag === 'ja' || tag === 'en') return tag;
  }
  return 'en';
}

export function renderMessage(
  code: MessageCode,
  language: Language,
  params: Record<string, unknown> = {},
): string {
  const template: string = MESSAGES[code][language];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}
