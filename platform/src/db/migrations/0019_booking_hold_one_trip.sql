-- A resident's hold in one round trip: the person's lock, the repeat-press check, the 休館日, the
-- monthly quota and the insert, each statement with its own snapshot (a VOLATILE plpgsql function in
-- READ COMMITTED), so the checks after the lock see what the lock's previous holder committed.
-- Refusals are SQLSTATEs the platform maps to its codes: BK001 closed day, BK002 quota reached; an
-- overlap is the exclusion constraint's own 23P01. Stale holds are not expired here: only a hold
-- that meets one (23P01) pays for that, on the platform's slower path.
CREATE OR REPLACE FUNCTION booking_hold(
  p_person uuid, p_facility uuid, p_unit uuid, p_day date, p_period text, p_during tstzrange,
  p_key text, p_hold_until timestamptz, p_quota integer, p_month_first date, p_month_last date
) RETURNS SETOF bookings AS $$
DECLARE
  booking bookings;
  used integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('booking:' || p_person, 0));
  SELECT * INTO booking FROM bookings WHERE requested_by = 'person:' || p_person AND idempotency_key = p_key;
  IF FOUND THEN
    RETURN NEXT booking;
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM facility_blackouts WHERE facility_id = p_facility AND day = p_day) THEN
    RAISE EXCEPTION 'facility closed on that day' USING ERRCODE = 'BK001';
  END IF;
  SELECT count(*) INTO used FROM bookings
    WHERE person_id = p_person AND facility_id = p_facility AND state IN ('held', 'confirmed') AND day BETWEEN p_month_first AND p_month_last;
  IF used >= p_quota THEN
    RAISE EXCEPTION 'monthly quota reached' USING ERRCODE = 'BK002';
  END IF;
  INSERT INTO bookings (facility_id, unit_id, day, period, during, state, person_id, requested_by, idempotency_key, source, hold_expires_at)
    VALUES (p_facility, p_unit, p_day, p_period, p_during, 'held', p_person, 'person:' || p_person, p_key, 'resident', p_hold_until)
    RETURNING * INTO booking;
  RETURN NEXT booking;
END;
$$ LANGUAGE plpgsql VOLATILE;
