import { on } from '@bazaar/platform';
import type { NotificationService } from '../services/notification.service';

/** Everything notifications listens to: each step a customer hears about. */
export const notificationSubscriptions = (notify: NotificationService) => [
  on('UserRegistered', (event, tx) => notify.welcome(tx, event, event.data)),
  on('OrderCreated', (event, tx) => notify.orderPlaced(tx, event, event.data)),
  on('PaymentSucceeded', (event, tx) => notify.orderPaid(tx, event, event.data)),
  on('ShippingCreated', (event, tx) => notify.orderShipped(tx, event, event.data)),
  on('ShipmentDelivered', (event, tx) => notify.orderDelivered(tx, event, event.data)),
  on('OrderCancelled', (event, tx) => notify.orderCancelled(tx, event, event.data)),
];
