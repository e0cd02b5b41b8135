CREATE TABLE "orders"."order_operator_actions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"action" text NOT NULL,
	"actor" uuid NOT NULL,
	"reason" text,
	"event_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders"."inbox" ADD COLUMN "correlation_id" text;--> statement-breakpoint
ALTER TABLE "orders"."inbox" ADD COLUMN "trace_id" text;--> statement-breakpoint
ALTER TABLE "orders"."order_operator_actions" ADD CONSTRAINT "order_operator_actions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "orders"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_operator_actions_order_idx" ON "orders"."order_operator_actions" USING btree ("order_id","id");--> statement-breakpoint
CREATE INDEX "inbox_correlation_idx" ON "orders"."inbox" USING btree ("correlation_id");--> statement-breakpoint
CREATE INDEX "order_status_history_final_idx" ON "orders"."order_status_history" USING btree ("at") WHERE "orders"."order_status_history"."status" in ('COMPLETED', 'CANCELLED');--> statement-breakpoint
CREATE INDEX "outbox_correlation_idx" ON "orders"."outbox" USING btree (("envelope"->>'correlationid'));