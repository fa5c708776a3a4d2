/**
 * A hand-written type guard for `tour.completed`, as a careful person would
 * write one: typeof checks, the ID regex and an RFC 3339 regex (no calendar
 * check), over the same documented fields the schema covers at the top levels
 * (nested elements and buttons are checked as objects only). The yardstick
 * the generated validators are compared with.
 */
const ID = /^[0-9a-f]{24}$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown) => typeof v === 'string' && ID.test(v);
const optId = (v: unknown) => v === undefined || isId(v);
const optIdOrNull = (v: unknown) => v === undefined || v === null || isId(v);
const optTime = (v: unknown) => v === undefined || (typeof v === 'string' && DATE_TIME.test(v));
const optTimeOrNull = (v: unknown) => v === null || optTime(v);
const opt = (v: unknown, type: string) => v === undefined || typeof v === type;
const optOrNull = (v: unknown, type: string) => v === undefined || v === null || typeof v === type;
const optInt = (v: unknown) => v === undefined || Number.isInteger(v);
const optIntOrNull = (v: unknown) => v === null || optInt(v);
const optIds = (v: unknown) => v === undefined || (Array.isArray(v) && v.every(isId));
const optIn = (v: unknown, values: readonly unknown[]) => v === undefined || values.includes(v);
const optObj = (v: unknown) => v === undefined || isObj(v);

function isProfile(p: unknown): boolean {
  return (
    isObj(p) &&
    isId(p.id) &&
    optTime(p.created_at) &&
    optTime(p.updated_at) &&
    opt(p.uid, 'string') &&
    opt(p.email, 'string') &&
    opt(p.name, 'string') &&
    optIdOrNull(p.company_id) &&
    optIntOrNull(p.browser_x) &&
    optInt(p.browser_tz) &&
    opt(p.browser_l, 'string') &&
    optIn(p.browser_n, ['chrome', 'firefox', 'safari', 'opera', 'ie10', 'ie11', 'edge']) &&
    optIn(p.browser_k, ['desktop', 'mobile']) &&
    opt(p.percent, 'number') &&
    optTimeOrNull(p.last_seen_at) &&
    optTime(p.last_last_seen_at) &&
    (p.last_seen_session_count === undefined ||
      (Number.isInteger(p.last_seen_session_count) && (p.last_seen_session_count as number) >= 0)) &&
    (p.delivery_ids === undefined || Array.isArray(p.delivery_ids)) &&
    optObj(p.company)
  );
}

function isTour(t: unknown): boolean {
  return (
    isObj(t) &&
    isId(t.id) &&
    optTime(t.created_at) &&
    optTime(t.updated_at) &&
    optTimeOrNull(t.archived_at) &&
    opt(t.name, 'string') &&
    optIn(t.style, ['auto', 'manual']) &&
    opt(t.position, 'number') &&
    opt(t.tour_link_url, 'string') &&
    optTimeOrNull(t.experiment_at) &&
    optOrNull(t.experiment_range, 'string') &&
    optId(t.segment_id) &&
    optIds(t.segment_ids) &&
    optTimeOrNull(t.published_at) &&
    optTimeOrNull(t.rate_unlimit_at) &&
    optIds(t.tag_ids) &&
    opt(t.dashboard_url, 'string') &&
    opt(t.content_summary, 'string') &&
    opt(t.content_semantics, 'string') &&
    opt(t.audience_summary, 'string') &&
    optObj(t.stats)
  );
}

function isStep(s: unknown): boolean {
  return (
    isObj(s) &&
    isId(s.id) &&
    optTime(s.created_at) &&
    optTime(s.updated_at) &&
    optOrNull(s.title, 'string') &&
    opt(s.body, 'string') &&
    optOrNull(s.preset, 'string') &&
    (s.dropdown_items === undefined || Array.isArray(s.dropdown_items)) &&
    optInt(s.follow_up_delay) &&
    opt(s.cta_has_custom_click, 'boolean') &&
    optIn(s.step_trigger, ['page_load', 'element_match', 'element_not_match']) &&
    optIn(s.position_type, ['relative_to_screen', 'snap_to_element', 'snap_to_trigger', 'inline']) &&
    optIn(s.step_additional_trigger, ['element_match', 'element_not_match']) &&
    optIn(s.secondary_trigger, [
      'click',
      'hover',
      'time_on_page',
      'smart_delay',
      'input',
      'custom_trigger',
      null,
    ]) &&
    optObj(s.trigger_element) &&
    optObj(s.position_element) &&
    (s.buttons === undefined || Array.isArray(s.buttons))
  );
}

function isCampaignAction(a: unknown): boolean {
  return isObj(a) && isId(a.id) && optOrNull(a.group_kind, 'string') && optIdOrNull(a.group_id);
}

export function isTourCompleted(value: unknown): boolean {
  if (!isObj(value) || value.kind !== 'tour.completed' || !isId(value.id)) return false;
  if (typeof value.sent_at !== 'string' || !DATE_TIME.test(value.sent_at)) return false;
  const data = value.data;
  return (
    isObj(data) &&
    isProfile(data.profile) &&
    isTour(data.tour) &&
    isStep(data.step) &&
    (data.action === undefined || isCampaignAction(data.action))
  );
}
