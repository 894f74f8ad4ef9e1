import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { AppHeader } from '@/components/AppHeader';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: 'Flowsight',
  description: 'Network security for AKS: live flows, policies, NSGs and firewall',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex h-full flex-col">
        <Providers>
          <AppHeader />
          <main className="min-h-0 flex-1">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
