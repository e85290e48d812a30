-- A staff file sent with a reply is shared with the customer, who then
-- sees and downloads it on the tracking page as their own files; other
-- staff files stay internal evidence.
ALTER TABLE attachments ADD COLUMN shared boolean NOT NULL DEFAULT false;
