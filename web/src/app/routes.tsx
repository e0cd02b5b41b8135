import type { RouteObject } from 'react-router';
import { NotificationsPage } from '../account/notifications.page';
import { OrderPage } from '../account/order.page';
import { OrdersPage } from '../account/orders.page';
import { SignInPage } from '../account/sign-in.page';
import { SignUpPage } from '../account/sign-up.page';
import { AdminLayout } from '../admin/admin-layout';
import { OrdersAdminPage } from '../admin/orders-admin.page';
import { ProductEditPage } from '../admin/product-edit.page';
import { ProductsAdminPage } from '../admin/products-admin.page';
import { StockAdminPage } from '../admin/stock-admin.page';
import { opsRoutes } from '../ops/routes';
import { CartPage } from '../shop/cart.page';
import { CatalogPage } from '../shop/catalog.page';
import { CheckoutPage } from '../shop/checkout.page';
import { ProductPage } from '../shop/product.page';
import { RequireAdmin, RequireSignIn } from './guards';
import { Layout } from './layout';
import { NotFoundPage } from './not-found.page';

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      // Storefront: open to guests.
      { index: true, element: <CatalogPage /> },
      { path: 'products/:id', element: <ProductPage /> },
      { path: 'cart', element: <CartPage /> },
      { path: 'signin', element: <SignInPage /> },
      { path: 'signup', element: <SignUpPage /> },

      // The shopper's own pages.
      {
        element: <RequireSignIn />,
        children: [
          { path: 'checkout', element: <CheckoutPage /> },
          { path: 'orders', element: <OrdersPage /> },
          { path: 'orders/:id', element: <OrderPage /> },
          { path: 'notifications', element: <NotificationsPage /> },
        ],
      },

      // Admin pages (role admin).
      {
        element: <RequireAdmin />,
        children: [
          {
            path: 'admin',
            element: <AdminLayout />,
            children: [
              { index: true, element: <ProductsAdminPage /> },
              { path: 'products/new', element: <ProductEditPage /> },
              { path: 'products/:id', element: <ProductEditPage /> },
              { path: 'stock', element: <StockAdminPage /> },
              { path: 'orders', element: <OrdersAdminPage /> },
            ],
          },

          // ── Operations ─────────────────────────────────────────────────────────────────────────────
          // The /ops/* routes are registered here from web/src/ops/routes.tsx (admins only). Add
          // Operations pages there, not here.
          { path: 'ops', children: opsRoutes },
        ],
      },

      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
