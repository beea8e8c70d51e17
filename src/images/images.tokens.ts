/** Injection tokens of the images context, apart from the module so services can import them without a cycle. */
export const BLOB_STORE = Symbol('BLOB_STORE');
export const IMAGE_UPLOADS = Symbol('IMAGE_UPLOADS');
