import { OverviewView } from '@/components/overview/OverviewView';

export default function OverviewPage() {
  return <OverviewView />;
}
