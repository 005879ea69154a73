-- Failed sign-ins are counted per email from the audit trail to throttle guessing.
CREATE INDEX audit_login_failures ON audit_events (action, actor_email, occurred_at);
