import type { Db } from '../db/client.js';
import type { HouseholdMessage } from './personalise.js';
import { tvAlertViews } from './tv-views.js';

/**
 * One targeted household's personalised message for an alert, per language of the alert (first =
 * source order). The very text its TV is sent (`tvAlertViews`): the shelter is the one stored at
 * targeting (`alert_targets.shelter_id`), never worked out again, so the two cannot disagree.
 */
export async function householdAlertView(db: Db, alertId: string, householdId: string): Promise<{ language: string; message: HouseholdMessage }[] | null> {
  const view = (await tvAlertViews(db, [alertId], [householdId])).get(alertId)?.get(householdId);
  return view ? view.messages.map(({ language, title, colour, greeting, lines, speech }) => ({ language, message: { title, colour, greeting, lines, speech } })) : null;
}
