-- The lead a merged one went into is found from the merged one (an old id in a file or a command): by
-- this index, not by reading every merge.
CREATE INDEX merge_log_by_merged ON merge_log(merged_id);
