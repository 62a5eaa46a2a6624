-- A resident's hold with the session check in the same round trip: the platform remembers a
-- session it has looked up (its person and address) and, instead of looking it up again on every
-- hold, has the hold's own statement confirm that the session is still live (not logged out, not
-- expired, still that person's) and that the address the residency was judged on is still the
-- person's. Anything else refuses with SQLSTATE BK003 before the hold is attempted; the platform then
-- forgets the session and looks it up afresh (logged out: refused at once; address changed: judged
-- again). The hold itself is booking_hold() (migration 0019), unchanged.
CREATE OR REPLACE FUNCTION booking_hold_in_session(
  p_session uuid, p_address text,
  p_person uuid, p_facility uuid, p_unit uuid, p_day date, p_period text, p_during tstzrange,
  p_key text, p_hold_until timestamptz, p_quota integer, p_month_first date, p_month_last date
) RETURNS SETOF bookings AS $$
BEGIN
  PERFORM 1 FROM sessions s JOIN persons p ON p.id = s.person_id
    WHERE s.id = p_session AND s.person_id = p_person AND s.ended_at IS NULL AND s.expires_at > now()
      AND p.address IS NOT DISTINCT FROM p_address;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'session ended, or its person changed' USING ERRCODE = 'BK003';
  END IF;
  RETURN QUERY SELECT * FROM booking_hold(p_person, p_facility, p_unit, p_day, p_period, p_during, p_key, p_hold_until, p_quota, p_month_first, p_month_last);
END;
$$ LANGUAGE plpgsql VOLATILE;
