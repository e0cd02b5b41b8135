ALTER TABLE "notifications"."inbox" ADD COLUMN "correlation_id" text;--> statement-breakpoint
ALTER TABLE "notifications"."inbox" ADD COLUMN "trace_id" text;--> statement-breakpoint
CREATE INDEX "inbox_correlation_idx" ON "notifications"."inbox" USING btree ("correlation_id");--> statement-breakpoint
CREATE INDEX "outbox_correlation_idx" ON "notifications"."outbox" USING btree (("envelope"->>'correlationid'));