export * from './demo-products';
export * from './placeholder-image';
