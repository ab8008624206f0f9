-- The Chilean and Uruguayan units of account (CLF, UYW) have four decimals, not two: their amounts were kept
-- in hundredths, and are now kept in ten-thousandths.
UPDATE deals SET amount_minor = amount_minor * 100 WHERE currency IN ('CLF', 'UYW');
