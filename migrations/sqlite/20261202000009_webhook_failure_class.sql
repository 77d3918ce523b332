-- The class of a delivery's last failure (refused, dns, unreachable, timeout,
-- tls, http, error), next to `last_error`, now a short sentence for the
-- project's admins. Rows from before keep their text and no class.
ALTER TABLE webhook_deliveries ADD COLUMN last_failure TEXT;
