import { directoryV1 } from '@atrium/contracts';
import { Department } from './department';

export function toDepartmentMessage(d: Department): directoryV1.Department {
  return { id: d.id, parentId: d.parentId, name: d.name, nameEn: d.nameEn, order: d.order, leaders: d.leaders, path: d.path };
}
