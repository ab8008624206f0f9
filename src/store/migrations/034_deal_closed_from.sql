-- The open stage a won or lost deal was closed from: reopening it puts it back there, not at the
-- pipeline's last open stage.
ALTER TABLE deals ADD COLUMN closed_from TEXT;
