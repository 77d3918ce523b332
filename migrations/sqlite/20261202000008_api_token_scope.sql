-- What a personal access token may do: 'read' (every write refused) or
-- 'read-write'. Tokens made before scopes existed keep their full rights.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read-write'
    CHECK (scope IN ('read', 'read-write'));
