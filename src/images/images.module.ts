import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, POSTGRES } from '../app/infrastructure.module';
import type { Config } from '../config/config';
import { IdentityModule } from '../identity/identity.module';
import { PostgresConnection } from '../postgres/postgres-connection';
import { BlobStore } from './blob-store.port';
import { ImageUploads } from './image-uploads';
import { ImageService } from './image.service';
import { ImagesController } from './images.controller';
import { BLOB_STORE, IMAGE_UPLOADS } from './images.tokens';
import { PostgresBlobStore } from './postgres-blob-store';
import { S3BlobStore } from './s3-blob-store';

/** The configured blob store; the PostgreSQL one gets its schema first. */
export async function openBlobStore(config: Config, postgres: PostgresConnection): Promise<BlobStore> {
  if (config.BLOB_STORE === 's3') {
    return new S3BlobStore({
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      bucket: config.S3_BUCKET!,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
    });
  }
  await PostgresBlobStore.ensureSchema(postgres.pool);
  return new PostgresBlobStore(postgres.pool);
}

/** Scanned order images (DESIGN §6): the blob store, the uploads record, upload and download over HTTP. */
@Global()
@Module({
  imports: [IdentityModule],
  providers: [
    { provide: BLOB_STORE, useFactory: openBlobStore, inject: [CONFIG, POSTGRES] },
    {
      provide: IMAGE_UPLOADS,
      useFactory: async (postgres: PostgresConnection) => {
        await ImageUploads.ensureSchema(postgres.pool);
        return new ImageUploads(postgres.pool);
      },
      inject: [POSTGRES],
    },
    ImageService,
  ],
  controllers: [ImagesController],
  exports: [BLOB_STORE, IMAGE_UPLOADS, ImageService],
})
export class ImagesModule implements OnApplicationShutdown {
  constructor(@Inject(BLOB_STORE) private readonly blobs: BlobStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.blobs.close();
  }
}
