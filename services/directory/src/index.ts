export { directoryService } from './directory.service-definition';
export { loadDirectoryConfig, type DirectoryConfig } from './config';
