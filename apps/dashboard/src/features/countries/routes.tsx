import type { FeatureRoutes } from '../../app/features.ts';
import { CountriesPage, CountryPage } from './CountryPages.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/countries', component: CountriesPage, menu: { label: 'countries.menu', order: 90 } },
    { path: '/countries/:iso', component: CountryPage },
  ],
};
