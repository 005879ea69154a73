-- A number onboarded after the 1st is billed for the rest of its month once, on a prorated
-- license invoice; this says which one. A number onboarded on a month's last day after that
-- day's run is then known unbilled, and the next run bills it.
ALTER TABLE phone_numbers ADD COLUMN prorated_invoice_id TEXT REFERENCES invoices(id);
UPDATE phone_numbers SET prorated_invoice_id = (
    SELECT i.id FROM invoices i
    WHERE i.account_id = phone_numbers.account_id AND i.cycle_key = 'prorated:' || substr(phone_numbers.onboarded_on, 1, 7)
)
WHERE substr(onboarded_on, 9, 2) <> '01';
