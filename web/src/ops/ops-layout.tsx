import { TabsLayout } from '../ui/tabs';
import './ops.css';

export function OpsLayout() {
  return (
    <TabsLayout
      label="Operations"
      tabs={[
        { to: '/ops', label: 'Health', end: true },
        { to: '/ops/sagas', label: 'Sagas' },
        { to: '/ops/dead-letters', label: 'Dead letters' },
        { to: '/ops/figures', label: 'Figures' },
      ]}
    />
  );
}
