ALTER TABLE "bustest"."inbox" ADD COLUMN "correlation_id" text;--> statement-breakpoint
ALTER TABLE "bustest"."inbox" ADD COLUMN "trace_id" text;--> statement-breakpoint
CREATE INDEX "inbox_correlation_idx" ON "bustest"."inbox" USING btree ("correlation_id");--> statement-breakpoint
CREATE INDEX "outbox_correlation_idx" ON "bustest"."outbox" USING btree (("envelope"->>'correlationid'));