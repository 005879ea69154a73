-- Settling a payment finds its invoices by the lock it holds on them; without this every
-- settlement read the whole invoices table.
CREATE INDEX invoices_payment_in_progress ON invoices (payment_in_progress_id) WHERE payment_in_progress_id IS NOT NULL;
