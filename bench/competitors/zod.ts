/**
 * Zod 4 schemas written by hand for three representative topics, with the
 * same rules as the spec (IDs, ISO date-times, closed enums, nullables) and
 * loose objects (undocumented keys pass), as a Zod user would write them.
 */
import { z } from 'zod';

const id = z.string().regex(/^[0-9a-f]{24}$/);
const time = z.iso.datetime({ offset: true });
const nullableTime = time.nullable().optional();

const profile = z.looseObject({
  id,
  created_at: time.optional(),
  updated_at: time.optional(),
  uid: z.string().optional(),
  email: z.string().optional(),
  name: z.string().optional(),
  company_id: id.nullable().optional(),
  browser_x: z.int().nullable().optional(),
  browser_tz: z.int().optional(),
  browser_l: z.string().optional(),
  browser_n: z.enum(['chrome', 'firefox', 'safari', 'opera', 'ie10', 'ie11', 'edge']).optional(),
  browser_k: z.enum(['desktop', 'mobile']).optional(),
  percent: z.number().optional(),
  last_seen_at: nullableTime,
  last_last_seen_at: time.optional(),
  last_seen_session_count: z.int().min(0).optional(),
  delivery_ids: z.array(z.unknown()).optional(),
  company: z.looseObject({}).optional(),
});

const experience = {
  id,
  created_at: time.optional(),
  updated_at: time.optional(),
  name: z.string().optional(),
  position: z.number().optional(),
  experiment_at: nullableTime,
  experiment_range: z.string().nullable().optional(),
  segment_id: id.optional(),
  segment_ids: z.array(id).optional(),
  published_at: nullableTime,
  rate_unlimit_at: nullableTime,
  tag_ids: z.array(id).optional(),
  dashboard_url: z.string().optional(),
  content_summary: z.string().optional(),
  content_semantics: z.string().optional(),
  audience_summary: z.string().optional(),
  stats: z.looseObject({}).optional(),
};

const tour = z.looseObject({
  ...experience,
  archived_at: nullableTime,
  style: z.enum(['auto', 'manual']).optional(),
  tour_link_url: z.string().optional(),
});

const step = z.looseObject({
  id,
  created_at: time.optional(),
  updated_at: time.optional(),
  title: z.string().nullable().optional(),
  body: z.string().optional(),
  preset: z.string().nullable().optional(),
  dropdown_items: z.array(z.unknown()).optional(),
  follow_up_delay: z.int().optional(),
  cta_has_custom_click: z.boolean().optional(),
  step_trigger: z.enum(['page_load', 'element_match', 'element_not_match']).optional(),
  position_type: z.enum(['relative_to_screen', 'snap_to_element', 'snap_to_trigger', 'inline']).optional(),
  step_additional_trigger: z.enum(['element_match', 'element_not_match']).optional(),
  secondary_trigger: z
    .enum(['click', 'hover', 'time_on_page', 'smart_delay', 'input', 'custom_trigger'])
    .nullable()
    .optional(),
  trigger_element: z.looseObject({}).optional(),
  position_element: z.looseObject({}).optional(),
  buttons: z.array(z.looseObject({})).optional(),
});

const envelope = (kind: string) => ({ id, kind: z.literal(kind), sent_at: time });

export const tourCompleted = z.looseObject({
  ...envelope('tour.completed'),
  data: z.looseObject({
    profile,
    tour,
    step,
    action: z
      .looseObject({ id, group_kind: z.string().nullable().optional(), group_id: id.nullable().optional() })
      .optional(),
  }),
});

const response = z.looseObject({
  id,
  created_at: time.optional(),
  updated_at: time.optional(),
  survey_id: id.optional(),
  profile_id: id.optional(),
  button_id: id.optional(),
  href: z.string().optional(),
  button_text: z.string().optional(),
  button_order: z.int().optional(),
  input_text: z.string().optional(),
  dropdown_items: z.union([z.string(), z.array(z.string())]).optional(),
  other_text: z.string().optional(),
  finished_at: time.optional(),
  profile: profile.optional(),
});

const microsurvey = z.looseObject({
  ...experience,
  last_dropdown_items: z.array(z.unknown()).optional(),
  steps: z.array(step).optional(),
  user: z.looseObject({}).optional(),
});

export const responseFinished = z.looseObject({
  ...envelope('response.finished'),
  data: z.looseObject({ profile, response, survey: microsurvey }),
});

const demoRun = z.looseObject({
  id,
  created_at: time.optional(),
  updated_at: time.optional(),
  referrer: z.string().optional(),
  created_what: z.string().optional(),
  created_where: z.string().nullable().optional(),
  anonymous_id: z.string().optional(),
  consent_mode: z.enum(['pending', 'denied', 'granted']).optional(),
  email: z.string().nullable().optional(),
  reveal_domain: z.string().nullable().optional(),
  reveal_name: z.string().nullable().optional(),
  clearbit_uid: z.string().nullable().optional(),
  finished_kind: z.enum(['last_step', 'timeout_30m']).optional(),
  actions: z.array(z.looseObject({})).optional(),
  submissions: z.array(z.looseObject({})).optional(),
});

const demo = z.looseObject({
  id,
  created_at: time.optional(),
  updated_at: time.optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  href: z.string().optional(),
  page_title: z.string().optional(),
  position: z.union([z.string(), z.int().min(0)]).optional(),
  tag_ids: z.array(id).optional(),
  user: z.looseObject({}).optional(),
});

export const demoFinished = z.looseObject({
  ...envelope('demo.finished'),
  data: z.looseObject({
    action: z.looseObject({}).optional(),
    profile: profile.nullable().optional(),
    demo_run: demoRun,
    demo,
  }),
});
