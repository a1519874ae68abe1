-- Metered calls that are not AI calls (images, audio, batch creation) get log rows too (issue 22). Their answers report
-- usage in tokens only sometimes (gpt-image-1, gpt-4o-transcribe); speech, DALL·E, Whisper and batches report none.
-- Such a row says so: its zero tokens and null cost are unknown, not free.
ALTER TABLE ai_performance_logs ADD COLUMN usage_unreported boolean NOT NULL DEFAULT false;
