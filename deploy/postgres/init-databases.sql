-- One database per service, as `bazaar_<service>`. The services would create theirs at start-up too
-- (with a role allowed to create databases); creating them here lets that role be a plain owner.
create database bazaar_identity;
create database bazaar_catalog;
create database bazaar_inventory;
create database bazaar_cart;
create database bazaar_orders;
create database bazaar_payments;
create database bazaar_shipping;
create database bazaar_notifications;
