-- Several app nodes on one database. Each node decides commands against
-- its own copy of a project's state, so an append checks, under the
-- project's turn, that the deciding node had folded in the project's whole
-- log (`p_known_head`, its last event of the project). If not, it fails
-- with serialization_failure (40001): the node reads what it missed and
-- decides again. (The node announces its appends on channel `kanri_log`
-- after they commit, not here: a NOTIFY in the append would serialize every
-- commit of the database behind one lock.)
--
-- A project's events are gap-free up to its highest number without waiting
-- for kanri_settled_seq(): its appends take turns until they commit, and
-- each takes its numbers during its turn.
CREATE FUNCTION kanri_append(
    p_project TEXT, p_known_head BIGINT, p_streams TEXT[], p_versions BIGINT[],
    p_types TEXT[], p_schema INTEGER, p_payloads TEXT[], p_actor TEXT, p_at_ms BIGINT,
    p_command TEXT
) RETURNS TABLE (seq BIGINT) LANGUAGE plpgsql AS $$
DECLARE
    head BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_project, 0));
    -- A statement of its own: its snapshot is taken after the turn began.
    SELECT max(e.seq) INTO head FROM events e WHERE e.project = p_project;
    IF coalesce(head, 0) > p_known_head THEN
        RAISE EXCEPTION 'project % has events up to %; the deciding node knew up to %',
            p_project, head, p_known_head
            USING ERRCODE = 'serialization_failure';
    END IF;
    RETURN QUERY SELECT a.seq FROM kanri_append_events(p_project, p_streams, p_versions,
        p_types, p_schema, p_payloads, p_actor, p_at_ms, p_command) a;
END $$;
