import { z } from 'zod';

export const PublicUser = z.object({
  id: z.uuid(),
  email: z.email(),
  name: z.string(),
  roles: z.array(z.string()),
});

export const Session = z.object({ user: PublicUser, accessToken: z.string(), refreshToken: z.string() });

export const RegisterBody = z.object({
  email: z.email().max(254),
  password: z.string().max(128),
  name: z.string().trim().min(1).max(100),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({ email: z.email().max(254), password: z.string().min(1).max(128) });
export type LoginBody = z.infer<typeof LoginBody>;

export const RefreshBody = z.object({ refreshToken: z.string().min(10).max(200) });
export type RefreshBody = z.infer<typeof RefreshBody>;
