ALTER TABLE "shipping"."inbox" ADD COLUMN "correlation_id" text;--> statement-breakpoint
ALTER TABLE "shipping"."inbox" ADD COLUMN "trace_id" text;--> statement-breakpoint
CREATE INDEX "inbox_correlation_idx" ON "shipping"."inbox" USING btree ("correlation_id");--> statement-breakpoint
CREATE INDEX "outbox_correlation_idx" ON "shipping"."outbox" USING btree (("envelope"->>'correlationid'));